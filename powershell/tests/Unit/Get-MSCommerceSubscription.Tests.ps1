BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommerceSubscription' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            if ($Path -eq '/v1.0/subscriptions') {
                return @(
                    New-MSCommerceTestSubscription -Id 'a' -NoUsers
                    New-MSCommerceTestSubscription -Id 'b' -NoUsers
                )
            }
            New-MSCommerceTestSubscription -Id $PathParameter.subscriptionId
        }
    }

    Context 'List' {
        It 'Should send purchaseType=<Wire> for -PurchaseType <Given>, following nextLink' -ForEach @(
            @{ Given = 'SelfService'; Wire = 'selfService' }
            @{ Given = 'Central'; Wire = 'central' }
            @{ Given = 'All'; Wire = 'all' }
        ) {
            $null = Get-MSCommerceSubscription -PurchaseType $Given
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'GET' -and $Path -eq '/v1.0/subscriptions' -and $Query.purchaseType -ceq $Wire -and $FollowNextLink -and $First -eq 0
            }
        }

        It 'Should list every purchase type without parameters' {
            $result = @(Get-MSCommerceSubscription)
            $result.Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Query.purchaseType -eq 'all' -and -not $Query.ContainsKey('top')
            }
        }

        It 'Should ask for pages of -First and stop after -First' {
            $null = Get-MSCommerceSubscription -PurchaseType SelfService -First 5
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $First -eq 5 -and $Query.top -eq 5
            }
        }

        It 'Should refuse a purchase type outside the list before any call' {
            { Get-MSCommerceSubscription -PurchaseType 'Mine' } | Should -Throw
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should pass -Token through' {
            $null = Get-MSCommerceSubscription -Token 'raw-jwt'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Token -eq 'raw-jwt' }
        }
    }

    Context 'Objects' {
        It 'Should return MSCommerce.Subscription objects with typed properties' {
            $subscription = @(Get-MSCommerceSubscription -SubscriptionId 'a')[0]
            $subscription.PSObject.TypeNames | Should -Contain 'MSCommerce.Subscription'
            $subscription.SubscriptionId | Should -Be 'a'
            $subscription.ProductId | Should -Be 'CFQ7TTC0H9MP'
            $subscription.PurchaseType | Should -Be 'SelfService'
            $subscription.Purchaser | Should -Be 'ann@contoso.onmicrosoft.com'
            $subscription.PurchaserName | Should -Be 'Ann'
            $subscription.Quantity | Should -BeOfType [long]
            $subscription.Quantity | Should -Be 5
            $subscription.UnitPrice | Should -BeOfType [decimal]
            $subscription.UnitPrice | Should -Be ([decimal]'16.80')
            $subscription.TotalPrice | Should -Be ([decimal]'84')
            $subscription.ExpiresAt | Should -BeOfType [datetime]
            $subscription.ExpiresAt.Kind | Should -Be 'Utc'
            $subscription.ExpiresAt | Should -Be ([datetime]::new(2026, 12, 25, 6, 30, 0, [System.DateTimeKind]::Utc))
            $subscription.AutoRenew | Should -BeTrue
            $subscription.ETag | Should -Be '"1"'
        }

        It 'Should include the assigned users as MSCommerce.AssignedUser objects when one subscription is read' {
            $subscription = @(Get-MSCommerceSubscription -SubscriptionId 'a')[0]
            @($subscription.AssignedUsers).Count | Should -Be 1
            $subscription.AssignedUsers[0].PSObject.TypeNames | Should -Contain 'MSCommerce.AssignedUser'
            $subscription.AssignedUsers[0].UserPrincipalName | Should -Be 'bob@contoso.onmicrosoft.com'
            $subscription.AssignedUsers[0].AssignedAt.Kind | Should -Be 'Utc'
        }

        It 'Should leave AssignedUsers empty in a list' {
            $listed = @(Get-MSCommerceSubscription)
            @($listed[0].AssignedUsers).Count | Should -Be 0
        }

        It 'Should read the cancellation of a cancelled subscription' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith { New-MSCommerceTestSubscription -Status 'Deleted' }
            $subscription = Get-MSCommerceSubscription -SubscriptionId 'a'
            $subscription.Status | Should -Be 'Deleted'
            $subscription.CancellationReason | Should -Be 'NoLongerNeeded'
            $subscription.CancelledAt.Kind | Should -Be 'Utc'
        }
    }

    Context 'By ID and through the pipeline' {
        It 'Should read every ID of -SubscriptionId' {
            $result = @(Get-MSCommerceSubscription -SubscriptionId 'a', 'b')
            $result.Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'GET' -and $Path -eq '/v1.0/subscriptions/{subscriptionId}' -and $PathParameter.subscriptionId -eq 'b' -and $TargetObject -eq 'b'
            }
        }

        It 'Should read each piped subscription by its SubscriptionId property' {
            $result = @([pscustomobject]@{ SubscriptionId = 'a' }, [pscustomobject]@{ SubscriptionId = 'b' }) | Get-MSCommerceSubscription
            @($result).Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 2 -Exactly -ParameterFilter {
                $Path -eq '/v1.0/subscriptions/{subscriptionId}'
            }
        }

        It 'Should read again, with users, the subscriptions of a list piped into it' {
            $result = @(Get-MSCommerceSubscription -PurchaseType SelfService | Get-MSCommerceSubscription)
            $result.Count | Should -Be 2
            @($result | ForEach-Object -Process { $_.AssignedUsers }).Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.subscriptionId -eq 'a' }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.subscriptionId -eq 'b' }
        }

        It 'Should report a subscription that cannot be read as a non-terminating error and read the next one' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.subscriptionId -eq 'gone' } -MockWith {
                throw (New-MSCommerceTestErrorRecord -ErrorCode 'SubscriptionNotFound' -Category 'ObjectNotFound' -TargetObject 'gone')
            }
            $result = @(Get-MSCommerceSubscription -SubscriptionId 'gone', 'b' -ErrorVariable failures -ErrorAction SilentlyContinue)
            $result.Count | Should -Be 1
            $result[0].SubscriptionId | Should -Be 'b'
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'SubscriptionNotFound*'
            $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'Should stop at the first authentication failure' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
                throw (New-MSCommerceTestErrorRecord -ErrorCode 'TokenExpired' -Category 'AuthenticationError' -Message 'Your credentials have expired.')
            }
            { Get-MSCommerceSubscription -SubscriptionId 'a', 'b' } | Should -Throw -ExpectedMessage 'Your credentials have expired.'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly
        }
    }

    Context 'Parameters' {
        BeforeAll {
            $script:command = Get-Command -Name 'Get-MSCommerceSubscription' -Module 'MSCommerce'
        }

        It 'Should have the parameter sets List (default) and ById' {
            @($command.ParameterSets | ForEach-Object -Process { $_.Name }) | Sort-Object | Should -Be @('ById', 'List')
            $command.DefaultParameterSet | Should -Be 'List'
        }

        It 'Should bind -SubscriptionId from the pipeline by property name, mandatory in ById' {
            $metadata = $command.Parameters['SubscriptionId'].ParameterSets['ById']
            $metadata.IsMandatory | Should -BeTrue
            $metadata.ValueFromPipelineByPropertyName | Should -BeTrue
            $command.Parameters['SubscriptionId'].ParameterType | Should -Be ([string[]])
        }

        It 'Should limit -PurchaseType to SelfService, Central and All' {
            $attribute = $command.Parameters['PurchaseType'].Attributes | Where-Object -FilterScript { $_ -is [System.Management.Automation.ValidateSetAttribute] }
            @($attribute.ValidValues) | Should -Be @('SelfService', 'Central', 'All')
        }

        It 'Should change nothing and so not support -WhatIf' {
            $command.Parameters.Keys | Should -Not -Contain 'WhatIf'
        }
    }
}
