BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Stop-MSCommerceSubscription' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            New-MSCommerceTestSubscription -Id $PathParameter.subscriptionId -Status 'Deleted'
        }
    }

    Context 'Requests' {
        It 'Should send the reason, the comment and the confirmation to takeOver/cancel' {
            $null = Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason SecurityOrCompliance -Comment 'Unapproved' -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'POST' -and $Path -eq '/v1.0/subscriptions/{subscriptionId}/takeOver/cancel' -and
                $PathParameter.subscriptionId -eq 's1' -and $Body.reason -ceq 'SecurityOrCompliance' -and
                $Body.comment -eq 'Unapproved' -and $Body.confirm -eq $true -and $TargetObject -eq 's1'
            }
        }

        It 'Should send no comment when none is given' {
            $null = Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason NoLongerNeeded -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                -not $Body.ContainsKey('comment') -and $Body.confirm -eq $true -and $Body.reason -eq 'NoLongerNeeded'
            }
        }

        It 'Should send the canonical spelling of a reason typed in lower case' {
            $null = Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason 'tooexpensive' -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Body.reason -ceq 'TooExpensive' }
        }

        It 'Should return the cancelled subscription as an MSCommerce.Subscription' {
            $result = Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason NoLongerNeeded -Confirm:$false
            $result.PSObject.TypeNames | Should -Contain 'MSCommerce.Subscription'
            $result.SubscriptionId | Should -Be 's1'
            $result.Status | Should -Be 'Deleted'
            $result.CancellationReason | Should -Be 'NoLongerNeeded'
            $result.CancelledAt | Should -BeOfType [datetime]
        }

        It 'Should pass -Token through' {
            $null = Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason NoLongerNeeded -Token 'raw-jwt' -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Token -eq 'raw-jwt' }
        }
    }

    Context 'Reasons' {
        It 'Should accept the reason <_>' -ForEach @('NoLongerNeeded', 'TooExpensive', 'DuplicatePurchase', 'PurchasedByMistake', 'MovingToCentralLicenses', 'SecurityOrCompliance', 'NotApprovedByOrganization') {
            $null = Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason $_ -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly
        }

        It 'Should refuse a reason outside the list before any call' {
            { Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason 'Whim' -Confirm:$false } | Should -Throw
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should refuse Other without a comment before any call, as the service would (CommentRequired)' {
            $failure = $null
            try {
                Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason Other -Confirm:$false
            }
            catch {
                $failure = $_
            }
            $failure.FullyQualifiedErrorId | Should -BeLike 'CommentRequired*'
            $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should send Other with its comment' {
            $null = Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason Other -Comment 'Replaced by a central plan' -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Body.reason -eq 'Other' -and $Body.comment -eq 'Replaced by a central plan'
            }
        }

        It 'Should refuse a comment over 1000 characters before any call' {
            { Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason Other -Comment ('x' * 1001) -Confirm:$false } | Should -Throw
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }
    }

    Context 'Pipeline' {
        It 'Should cancel each piped subscription' {
            $piped = @([pscustomobject]@{ SubscriptionId = 's1' }, [pscustomobject]@{ SubscriptionId = 's2' })
            $results = @($piped | Stop-MSCommerceSubscription -Reason NoLongerNeeded -Confirm:$false)
            $results.Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.subscriptionId -eq 's2' }
        }

        It 'Should cancel the unused subscriptions of Get-MSCommerceSubscription' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'GET' } -MockWith {
                $unused = New-MSCommerceTestSubscription -Id 'unused' -NoUsers
                $unused.assignedCount = 0
                $unused
                New-MSCommerceTestSubscription -Id 'used' -NoUsers
            }
            $results = @(Get-MSCommerceSubscription -PurchaseType SelfService | Where-Object -Property AssignedCount -EQ 0 | Stop-MSCommerceSubscription -Reason NoLongerNeeded -Confirm:$false)
            $results.Count | Should -Be 1
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Method -eq 'POST' }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Method -eq 'POST' -and $PathParameter.subscriptionId -eq 'unused' }
        }

        It 'Should send the ETag of each piped subscription as If-Match, so that only what was read is cancelled' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'GET' } -MockWith {
                New-MSCommerceTestSubscription -Id 'ss-1' -NoUsers
                $changed = New-MSCommerceTestSubscription -Id 'ss-2' -NoUsers
                $changed.etag = '"7"'
                $changed
            }
            $null = Get-MSCommerceSubscription -PurchaseType SelfService | Stop-MSCommerceSubscription -Reason NoLongerNeeded -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Method -eq 'POST' -and $PathParameter.subscriptionId -eq 'ss-1' -and $IfMatch -eq '"1"' }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Method -eq 'POST' -and $PathParameter.subscriptionId -eq 'ss-2' -and $IfMatch -eq '"7"' }
        }

        It 'Should send no If-Match for a subscription given by ID alone' {
            $null = Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason NoLongerNeeded -Confirm:$false
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { [string]::IsNullOrEmpty($IfMatch) }
        }

        It 'Should report a subscription that cannot be cancelled as a non-terminating error and cancel the next one' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.subscriptionId -eq 'central' } -MockWith {
                throw (New-MSCommerceTestErrorRecord -ErrorCode 'NotSelfService' -Category 'InvalidOperation' -TargetObject 'central')
            }
            $piped = @([pscustomobject]@{ SubscriptionId = 'central' }, [pscustomobject]@{ SubscriptionId = 's2' })
            $results = @($piped | Stop-MSCommerceSubscription -Reason NoLongerNeeded -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue)
            $results.Count | Should -Be 1
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'NotSelfService*'
        }
    }

    Context '-WhatIf, -Confirm and -Force' {
        It 'Should make no call, so send no confirmation, with -WhatIf' {
            $result = Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason NoLongerNeeded -WhatIf
            $result | Should -BeNullOrEmpty
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should make no call for piped subscriptions with -WhatIf, even with -Force' {
            @([pscustomobject]@{ SubscriptionId = 's1' }, [pscustomobject]@{ SubscriptionId = 's2' }) |
                Stop-MSCommerceSubscription -Reason NoLongerNeeded -Force -WhatIf
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should cancel without a question with -Force' {
            $null = Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason NoLongerNeeded -Force
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Body.confirm -eq $true }
        }

        It 'Should be ConfirmImpact High, so that it asks by default' {
            $binding = (Get-Command -Name 'Stop-MSCommerceSubscription').ScriptBlock.Attributes |
                Where-Object -FilterScript { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
            $binding.SupportsShouldProcess | Should -BeTrue
            $binding.ConfirmImpact | Should -Be 'High'
        }
    }

    Context 'Parameters' {
        BeforeAll {
            $script:command = Get-Command -Name 'Stop-MSCommerceSubscription' -Module 'MSCommerce'
        }

        It 'Should bind -SubscriptionId from the pipeline by property name, mandatory, position 0' {
            $metadata = $command.Parameters['SubscriptionId'].ParameterSets['__AllParameterSets']
            $metadata.IsMandatory | Should -BeTrue
            $metadata.Position | Should -Be 0
            $metadata.ValueFromPipelineByPropertyName | Should -BeTrue
        }

        It 'Should limit -Reason to the documented reasons' {
            $attribute = $command.Parameters['Reason'].Attributes | Where-Object -FilterScript { $_ -is [System.Management.Automation.ValidateSetAttribute] }
            $expected = @('NoLongerNeeded', 'TooExpensive', 'DuplicatePurchase', 'PurchasedByMistake', 'MovingToCentralLicenses', 'SecurityOrCompliance', 'NotApprovedByOrganization', 'Other')
            Compare-Object -ReferenceObject $expected -DifferenceObject @($attribute.ValidValues) | Should -BeNullOrEmpty
            $command.Parameters['Reason'].ParameterSets['__AllParameterSets'].IsMandatory | Should -BeTrue
        }
    }
}
