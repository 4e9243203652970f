BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule

    $script:subscription = [pscustomobject]@{
        id               = '11111111-1111-1111-1111-111111111111'
        productId        = 'CFQ7TTC0H9MP'
        productName      = 'Power BI Pro'
        scope            = 'product'
        purchaseType     = 'SelfService'
        acquisitionKind  = 'Purchase'
        purchaser        = [pscustomobject]@{ id = 'p1'; displayName = 'Ann'; userPrincipalName = 'ann@contoso.onmicrosoft.com' }
        quantity         = 5
        assignedCount    = 1
        unitPrice        = '16.80'
        totalPrice       = '84.00'
        currency         = 'USD'
        billingFrequency = 'Monthly'
        createdAt        = '2026-11-25T06:30:00.000Z'
        expiresAt        = '2026-12-25T06:30:00.000Z'
        autoRenew        = $true
        status           = 'Active'
        etag             = '"1"'
        assignedUsers    = @([pscustomobject]@{ id = 'u1'; displayName = 'Bob'; userPrincipalName = 'bob@contoso.onmicrosoft.com'; assignedAt = '2026-11-25T06:31:00.000Z' })
    }
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Stop-MSCommerceSubscription' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith { $script:subscription }
    }

    It 'Should send the reason, the comment and the confirmation only after ShouldProcess' {
        $null = Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason SecurityOrCompliance -Comment 'Unapproved' -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Path -eq '/v1.0/subscriptions/{subscriptionId}/takeOver/cancel' -and $Body.reason -eq 'SecurityOrCompliance' -and
            $Body.comment -eq 'Unapproved' -and $Body.confirm -eq $true
        }
    }

    It 'Should make no call with -WhatIf' {
        Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason NoLongerNeeded -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0
    }

    It 'Should refuse a reason outside the list before any call' {
        { Stop-MSCommerceSubscription -SubscriptionId 's1' -Reason 'Whim' -Confirm:$false } | Should -Throw
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0
    }
}
