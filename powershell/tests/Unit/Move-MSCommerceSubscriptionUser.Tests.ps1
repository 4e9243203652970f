BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Move-MSCommerceSubscriptionUser' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{
                status     = 'Move completed'
                movedUsers = 3
                source     = [pscustomobject]@{ id = $PathParameter.subscriptionId; status = 'Deleted'; assignedCount = 0; quantity = 3 }
                target     = [pscustomobject]@{ id = $Body.targetSubscriptionId; assignedCount = 3; quantity = 10 }
            }
        }
    }

    Context 'Requests' {
        It 'Should POST the target to takeOver/moveUsers of the subscription' {
            $result = Move-MSCommerceSubscriptionUser -SubscriptionId 's1' -TargetSubscriptionId 't1' -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'POST' -and $Path -eq '/v1.0/subscriptions/{subscriptionId}/takeOver/moveUsers' -and
                $PathParameter.subscriptionId -eq 's1' -and $Body.targetSubscriptionId -eq 't1' -and @($Body.Keys).Count -eq 1 -and
                $TargetObject -eq 's1'
            }
            $result.PSObject.TypeNames | Should -Contain 'MSCommerce.MoveResult'
            $result.Status | Should -Be 'Move completed'
            $result.MovedUsers | Should -BeOfType [long]
            $result.MovedUsers | Should -Be 3
            $result.SubscriptionId | Should -Be 's1'
            $result.SourceStatus | Should -Be 'Deleted'
            $result.TargetSubscriptionId | Should -Be 't1'
            $result.TargetAssignedCount | Should -Be 3
            $result.TargetQuantity | Should -Be 10
        }

        It 'Should take the subscription as the first positional argument' {
            $null = Move-MSCommerceSubscriptionUser 's1' -TargetSubscriptionId 't1' -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.subscriptionId -eq 's1' }
        }

        It 'Should send no If-Match for a subscription given by ID alone' {
            $null = Move-MSCommerceSubscriptionUser -SubscriptionId 's1' -TargetSubscriptionId 't1' -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { [string]::IsNullOrEmpty($IfMatch) }
        }

        It 'Should send -ETag as If-Match' {
            $null = Move-MSCommerceSubscriptionUser -SubscriptionId 's1' -TargetSubscriptionId 't1' -ETag '"3"' -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $IfMatch -eq '"3"' }
        }

        It 'Should pass -Token through' {
            $null = Move-MSCommerceSubscriptionUser -SubscriptionId 's1' -TargetSubscriptionId 't1' -Token 'raw-jwt' -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Token -eq 'raw-jwt' }
        }
    }

    Context 'Pipeline' {
        It 'Should take over each piped subscription into the target' {
            $piped = @([pscustomobject]@{ SubscriptionId = 's1' }, [pscustomobject]@{ SubscriptionId = 's2' })
            $results = @($piped | Move-MSCommerceSubscriptionUser -TargetSubscriptionId 't1' -Confirm:$false)
            $results.Count | Should -Be 2
            $results[1].SubscriptionId | Should -Be 's2'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 2 -Exactly -ParameterFilter { $Body.targetSubscriptionId -eq 't1' }
        }

        It 'Should accept the output of Get-MSCommerceSubscription' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'GET' } -MockWith {
                New-MSCommerceTestSubscription -Id 'ss-1' -NoUsers
                New-MSCommerceTestSubscription -Id 'ss-2' -NoUsers
            }
            $results = @(Get-MSCommerceSubscription -PurchaseType SelfService | Move-MSCommerceSubscriptionUser -TargetSubscriptionId 'central' -Confirm:$false)
            $results.Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Method -eq 'POST' -and $PathParameter.subscriptionId -eq 'ss-2' }
        }

        It 'Should send the ETag of each piped subscription as If-Match, so that only what was read is moved' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'GET' } -MockWith {
                New-MSCommerceTestSubscription -Id 'ss-1' -NoUsers
                $changed = New-MSCommerceTestSubscription -Id 'ss-2' -NoUsers
                $changed.etag = '"7"'
                $changed
            }
            $null = Get-MSCommerceSubscription -PurchaseType SelfService | Move-MSCommerceSubscriptionUser -TargetSubscriptionId 'central' -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Method -eq 'POST' -and $PathParameter.subscriptionId -eq 'ss-1' -and $IfMatch -eq '"1"' }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Method -eq 'POST' -and $PathParameter.subscriptionId -eq 'ss-2' -and $IfMatch -eq '"7"' }
        }

        It 'Should report a subscription changed since it was read (PreconditionFailed) and move the next one' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.subscriptionId -eq 'stale' } -MockWith {
                $message = "Failed to move the users of subscription 'stale', ErrorMessage - Precondition Failed ErrorDetails - {`"errorCode`":`"PreconditionFailed`",`"reason`":`"The subscription has changed`"}"
                throw (New-MSCommerceTestErrorRecord -ErrorCode 'PreconditionFailed' -Category 'InvalidOperation' -Message $message -TargetObject 'stale')
            }
            $piped = @([pscustomobject]@{ SubscriptionId = 'stale'; ETag = '"1"' }, [pscustomobject]@{ SubscriptionId = 'fresh'; ETag = '"4"' })
            $results = @($piped | Move-MSCommerceSubscriptionUser -TargetSubscriptionId 't1' -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue)
            $results.Count | Should -Be 1
            $results[0].SubscriptionId | Should -Be 'fresh'
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'PreconditionFailed*'
            $failures[0].TargetObject | Should -Be 'stale'
        }

        It 'Should report a subscription that cannot move as a non-terminating error and move the next one' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.subscriptionId -eq 'big' } -MockWith {
                $message = "Failed to move the users of subscription 'big', ErrorMessage - Conflict ErrorDetails - {`"errorCode`":`"NotEnoughLicenses`",`"reason`":`"2 licenses are missing`"}"
                throw (New-MSCommerceTestErrorRecord -ErrorCode 'NotEnoughLicenses' -Category 'InvalidOperation' -Message $message -TargetObject 'big')
            }
            $piped = @([pscustomobject]@{ SubscriptionId = 'big' }, [pscustomobject]@{ SubscriptionId = 'small' })
            $results = @($piped | Move-MSCommerceSubscriptionUser -TargetSubscriptionId 't1' -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue)
            $results.Count | Should -Be 1
            $results[0].SubscriptionId | Should -Be 'small'
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'NotEnoughLicenses*'
            $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $failures[0].TargetObject | Should -Be 'big'
            $failures[0].Exception.Message | Should -BeLike "Failed to move the users of subscription 'big'*missing*"
        }

        It 'Should stop at the first authentication failure' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
                throw (New-MSCommerceTestErrorRecord -ErrorCode 'TokenExpired' -Category 'AuthenticationError' -Message 'Not signed in')
            }
            $piped = @([pscustomobject]@{ SubscriptionId = 's1' }, [pscustomobject]@{ SubscriptionId = 's2' })
            { $piped | Move-MSCommerceSubscriptionUser -TargetSubscriptionId 't1' -Confirm:$false } | Should -Throw -ExpectedMessage 'Not signed in'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly
        }
    }

    Context '-WhatIf, -Confirm and -Force' {
        It 'Should make no call with -WhatIf' {
            $result = Move-MSCommerceSubscriptionUser -SubscriptionId 's1' -TargetSubscriptionId 't1' -WhatIf
            $result | Should -BeNullOrEmpty
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should make no call for piped subscriptions with -WhatIf, even with -Force' {
            @([pscustomobject]@{ SubscriptionId = 's1' }, [pscustomobject]@{ SubscriptionId = 's2' }) |
                Move-MSCommerceSubscriptionUser -TargetSubscriptionId 't1' -Force -WhatIf
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should move without a question with -Force' {
            $null = Move-MSCommerceSubscriptionUser -SubscriptionId 's1' -TargetSubscriptionId 't1' -Force
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly
        }

        It 'Should be ConfirmImpact High, so that it asks by default' {
            $binding = (Get-Command -Name 'Move-MSCommerceSubscriptionUser').ScriptBlock.Attributes |
                Where-Object -FilterScript { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
            $binding.SupportsShouldProcess | Should -BeTrue
            $binding.ConfirmImpact | Should -Be 'High'
        }
    }

    Context 'Parameters' {
        BeforeAll {
            $script:command = Get-Command -Name 'Move-MSCommerceSubscriptionUser' -Module 'MSCommerce'
        }

        It 'Should bind -SubscriptionId from the pipeline by property name, mandatory, position 0' {
            $metadata = $command.Parameters['SubscriptionId'].ParameterSets['__AllParameterSets']
            $metadata.IsMandatory | Should -BeTrue
            $metadata.Position | Should -Be 0
            $metadata.ValueFromPipelineByPropertyName | Should -BeTrue
        }

        It 'Should require -TargetSubscriptionId, named, not from the pipeline' {
            $metadata = $command.Parameters['TargetSubscriptionId'].ParameterSets['__AllParameterSets']
            $metadata.IsMandatory | Should -BeTrue
            $metadata.Position | Should -Be ([int]::MinValue)
            $metadata.ValueFromPipelineByPropertyName | Should -BeFalse
        }

        It 'Should bind -ETag from the pipeline by property name, optional' {
            $metadata = $command.Parameters['ETag'].ParameterSets['__AllParameterSets']
            $metadata.IsMandatory | Should -BeFalse
            $metadata.ValueFromPipelineByPropertyName | Should -BeTrue
        }

        It 'Should refuse an empty target before any call' {
            { Move-MSCommerceSubscriptionUser -SubscriptionId 's1' -TargetSubscriptionId '' -Confirm:$false } | Should -Throw
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }
    }
}
